"""Which countries' networks report SMS delivery (notify-api.md §7.1).

Notify reads a ``dlr`` attribute per calling code from its international billing rates
(utils ``international_billing_rates.yml``); only ``yes`` counts. Texts to the other codes
stay ``sent``: Notify ignores every later receipt for them (api
``notifications_dao.update_notification_status_by_id``), so a test-key text there never gets
its simulated receipt, nor the billable fragments that receipt would record.
"""

from __future__ import annotations

__all__ = ["PREFIXES_WITHOUT_DELIVERY_RECEIPTS", "records_delivery"]

# Calling codes (keys of Notify's rates table) whose dlr attribute is not "yes".
PREFIXES_WITHOUT_DELIVERY_RECEIPTS = frozenset(
    {
        "1", "52", "54", "56", "57", "84", "86",
        "211", "222", "228", "229", "231", "236", "238", "239", "240", "245", "246", "249",
        "252", "253", "257", "262", "263", "266", "269", "297", "298", "299",
        "373", "378", "383",
        "504", "505", "508", "509", "593", "594", "595", "596", "597",
        "670", "672", "674", "676", "677", "678", "680", "681", "682", "683", "685", "686",
        "690", "691", "692",
        "886", "960", "967", "970", "975", "993",
        "1242", "1246", "1441", "1684", "1721", "1809", "1829", "1849", "1868",
    }
)  # fmt: skip


def records_delivery(prefix: str) -> bool:
    """True when texts to numbers with this rates-table prefix get delivery receipts."""
    return prefix not in PREFIXES_WITHOUT_DELIVERY_RECEIPTS
