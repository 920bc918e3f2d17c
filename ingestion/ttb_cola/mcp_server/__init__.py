"""The MCP server (``ttb-cola mcp``): the API's read-only questions as tools an AI assistant can call."""
