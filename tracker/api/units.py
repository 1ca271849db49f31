"""API: units."""
from flask_smorest import Blueprint

blp = Blueprint("api_units", __name__, description="units")
