from setuptools import find_packages, setup

setup(
    name="media",
    version="0.1.0",
    packages=find_packages(),
    install_requires=["psycopg2==2.9.9", "soundfile==0.12.1"],
)
