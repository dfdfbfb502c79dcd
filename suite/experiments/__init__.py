"""Experiments of the papers, composed from the library's runs, probes and claims."""
