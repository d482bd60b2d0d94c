"""Colombian pesos as people read them. Money is always whole pesos (int)."""


def format_pesos(amount: int, *, language: str = "es") -> str:
    """``1250000`` → ``"$ 1.250.000"`` in Spanish, ``"$ 1,250,000"`` in English.

    Negative amounts keep the sign before the symbol: ``"-$ 5.000"``.
    """
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"money is whole pesos (int), got {type(amount).__name__}")
    separator = "," if language.startswith("en") else "."
    grouped = f"{abs(amount):,}".replace(",", separator)
    sign = "-" if amount < 0 else ""
    return f"{sign}$ {grouped}"
