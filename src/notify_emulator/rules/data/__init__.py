"""Notify's data tables, transcribed: prices, bank holidays, countries, rates by calling code
and which networks report delivery. Each module names the Notify source it was read from."""
