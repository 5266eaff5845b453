"""The reviewer and auditor console: what it shows, in which language, with no IO."""
