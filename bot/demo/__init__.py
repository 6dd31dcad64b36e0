"""`tst demo`: a whole simulated intervention through the real runner, store and dispatcher."""
