from decimal import Decimal

from django import template
from django.conf import settings

register = template.Library()

SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}


@register.filter
def money(amount) -> str:
    """"£180.00", or "Free" for nothing."""
    if amount is None:
        return ""
    amount = Decimal(amount)
    if amount == 0:
        return "Free"
    code = settings.PAYMENT_CURRENCY.upper()
    symbol = SYMBOLS.get(code)
    return f"{symbol}{amount:,.2f}" if symbol else f"{amount:,.2f} {code}"
