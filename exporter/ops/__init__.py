"""Everyday operation: console output and progress, init/doctor, the cron `sync`, its lock and inbox."""
