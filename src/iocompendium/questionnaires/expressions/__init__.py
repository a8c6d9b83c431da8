"""XPath 1.0 + ODK expression engine: pure Python, no Django import."""
