"""Loitering from video: people detection, tracking, dwell per zone, events (skill ``loitering``)."""
