"""Each platform's composition root: the settings read, the App built, the adapter wired to it
(and `tst check`'s platform checks). Adapters translate; this is where they are plugged in."""
