"""API: results."""
from flask_smorest import Blueprint

blp = Blueprint("api_results", __name__, description="results")
