"""absl flag definitions shared by the benchmark binaries.

Each module defines its flags once, at import, with validators, and converts the
parsed flags into the library's config objects in exactly one place.
"""
