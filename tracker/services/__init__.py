"""Use cases: they check permissions and rules, change models, flush and journal; they never commit.

Where permissions are checked — the rule every module here follows:

- **The service decides.** Every use case that changes something for someone takes the acting user
  and, before it changes anything, asks `tracker.permissions` (`can_*`, `require_admin`) and raises
  `errors.Forbidden` when the answer is no: `stages` (tick, verify, return, deadlines, blockers),
  `results` and `result_fields` (numbers and report settings), `units` (create: admins; change:
  who may change the unit, and the admin-only fields only by admins), `admin` and `accounts`
  (campaign, template, calendar, users, groups: admins). So a page, the API and a command cannot
  disagree, and a new edge cannot forget a check.
- **An actor of None is the operator** at the command line (`flask users create`, `flask demo`):
  whoever runs the commands already holds the database. Views always pass the signed-in user or
  the token's user, never None.
- **Views only map errors** to their answer (a 403 page, the JSON error shape, a flash message and
  the form again). An edge may ask the same `permissions` functions earlier — to refuse before it
  reads a body, so a refused caller learns nothing from validation messages, or to show only the
  links a user may follow — but it holds no rule of its own.
- **Reads take no actor** (`get_unit`, `get_user`, `unit_stage_views`, `templates`): the edge that
  shows what they return checks `can_read_unit` / `can_read_report` first (`stages.require_read`).
  A user's own inbox (`notifications`) is scoped by that user, which is the permission.
- Helpers that other services call after their check (`journal`, `template_changes`, `calendar`,
  `campaigns.require_campaign`) check nothing themselves.
"""
