"""The Signal adapter: signal-cli's HTTP daemon (JSON-RPC and Server-Sent Events)."""
