import http.server
print("/health")
