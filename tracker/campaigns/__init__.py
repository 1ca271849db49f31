"""Campaigns as terms and rounds: the campaign in view, archiving, copying into a new term, switching."""
