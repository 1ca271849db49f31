"""API: notifications."""
from flask_smorest import Blueprint

blp = Blueprint("api_notifications", __name__, description="notifications")
