"""One module per PACER page type; each parser is a pure function of bytes and context."""
