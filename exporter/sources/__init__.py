"""Export readers: find the files, read their rows, recognize each layout by its header, land rows raw."""
