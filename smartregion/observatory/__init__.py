"""Observatory: survey statistics (pure), editions, charts, maps and open-data exports."""
