"""Labels of the closed lists of the data model, as English msgids for the catalogs."""


def _(message: str) -> str:
    """Mark a msgid for extraction; it is translated when a page is rendered."""
    return message


CENTRE_KINDS = {
    "support-center": _("Support center"),
    "integrated-support-center": _("Integrated support center"),
    "ecosystem-group": _("Ecosystem development group"),
    "village-center": _("Village and social economy center"),
    "hub-center": _("Hub center"),
    "city-center": _("City-wide support center"),
}

PHASE_KINDS = {
    "application": _("Applications"),
    "selection": _("Selection"),
    "agreement": _("Agreement"),
    "payment": _("Payment"),
    "operation": _("Delivery"),
    "meeting": _("Meeting"),
    "event": _("Event"),
    "report": _("Report"),
    "education": _("Training"),
    "preparation": _("Preparation"),
    "ongoing": _("Year-round"),
}
