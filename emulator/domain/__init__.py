"""Pure domain core: no I/O, no SQL, no clock reads (now is always a parameter)."""
