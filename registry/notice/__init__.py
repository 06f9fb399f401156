"""The public notice of the matters on retained personal data (APPI Art. 32), written from the
registry, and its drift from a published privacy policy."""
