from fastapi import FastAPI

from shared.util import greet

app = FastAPI()


@app.get("/health")
def health():
    return {"msg": greet()}
