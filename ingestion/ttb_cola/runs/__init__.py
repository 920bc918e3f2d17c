"""Running the commands: input checks, the chunk loop and its locks, schedules, reports, the demo."""
