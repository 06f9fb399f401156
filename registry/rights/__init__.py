"""Individuals' requests (開示等の請求, APPI Arts. 32-35, 37-39; policy Arts. 6-9) and their clocks."""
