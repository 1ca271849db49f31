"""Personal data: forgetting a person (`flask users forget EMAIL`); the account is docs/personal-data.md."""
