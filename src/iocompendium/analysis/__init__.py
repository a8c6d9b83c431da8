"""Pure-Python analysis of survey answers: no Django import (runs in a notebook)."""
