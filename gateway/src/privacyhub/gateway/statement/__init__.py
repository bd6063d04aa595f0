"""The privacy statement, versioned (statement §9): read publicly, published by an admin."""
