"""Discord adapter: gateway client, ChatPort and the PlatformService for `tst run`."""
