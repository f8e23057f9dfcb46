"""Database access: engine creation for SpatiaLite and PostGIS, models, migrations."""
