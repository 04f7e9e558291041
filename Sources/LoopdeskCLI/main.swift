print("loopdesk")
