print("loopdesk-core")
