"""API tokens: made with an expiry, listed and revoked (command line and the user's admin page), checked
and stamped at the API's edge. Issue 11, finding 3."""
