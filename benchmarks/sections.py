"""A channel's section of the benchmark: its table beside Telegram, and its headline keys.

Signal and the web chat (``signal_intake.py``, ``web_intake.py``) each run one bot per
database; their rows are printed with Signaalbot on Telegram of the same run beside them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

Run = Callable[[str], Awaitable[dict[str, Any]]]


async def channel_section(title: str, channel: str, unit: str, databases: list[str], run: Run,
                          telegram: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Run ``run(database)`` on each database, printing its row and Telegram's beside it."""
    print(f"\n{title}")
    print(f"  {'database, channel':<22} {unit + '/s':>7} {'rep/s':>6} {'p50/p99 ms':>13} "
          f"{'paced p50/p99':>13} {'CPU ms':>6} {'bot':>5} {'drv':>5} {'RSS MB':>6}")
    results = {}
    for kind in databases:
        results[kind] = row = await run(kind)
        print_row(f"{kind}, {channel}", row["throughput"], row["paced"], row["peak_rss_mb"],
                  row["errors"])
        if kind in telegram:
            other = telegram[kind]
            print_row(f"{kind}, Telegram", other["saturation"], other["paced"],
                      other["peak_rss_mb"], other["errors"])
    return results


def channel_headline(results: dict[str, dict[str, Any]], database: str, prefix: str,
                     unit: str) -> dict[str, Any]:
    """Top-level keys of the JSON file: the channel's figures on the headline's database."""
    chosen = results[database]
    return {f"{prefix}_{unit}s_per_s": chosen["throughput"]["updates_per_s"],
            f"{prefix}_cpu_ms_per_{unit}": chosen["throughput"]["bot_cpu_ms_per_update"],
            f"{prefix}_paced_p50_ms": chosen["paced"]["p50_ms"],
            f"{prefix}_paced_p99_ms": chosen["paced"]["p99_ms"]}


def print_row(label: str, run: dict[str, Any], paced: dict[str, Any], rss_mb: float,
              errors: list[str]) -> None:
    """One line of a channel's table."""
    print(f"  {label:<22} {run['updates_per_s']:>7.0f} {run['reports_per_s']:>6.1f} "
          f"{run['p50_ms']:>6.1f}/{run['p99_ms']:<6.1f} "
          f"{paced['p50_ms']:>6.1f}/{paced['p99_ms']:<6.1f} "
          f"{run['bot_cpu_ms_per_update']:>6.2f} {run['bot_cpu_pct']:>4}% "
          f"{run['driver_cpu_pct']:>4}% {rss_mb:>6.1f}{'  ERRORS' if errors else ''}",
          flush=True)
