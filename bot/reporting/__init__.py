"""Reporting for the kerngroep: the figures as charts, a CSV, an A4 page and the QR poster."""
