"""CoachWay: operations platform for a motorcoach charter company."""

__version__ = "0.1.0"
