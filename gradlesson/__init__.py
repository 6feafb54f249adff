"""gradlesson: the command line that checks, exports and renders the gradients lesson."""
