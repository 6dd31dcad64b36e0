"""Platform-neutral domain: model, events, effects, ports and the command grammar."""
