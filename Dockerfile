# Airflow image with the pipeline's dependencies (the code itself is mounted by docker-compose.yml, so an
# edit in pipeline/ or dags/ needs no rebuild). Airflow version = the one pinned in pyproject.toml.
FROM apache/airflow:3.3.2-python3.11

USER root
RUN apt-get update -q && apt-get install -y -q --no-install-recommends gcc g++ && rm -rf /var/lib/apt/lists/*
USER airflow

COPY --chown=airflow:root pyproject.toml requirements.lock README.md /opt/corpus-pipeline/
COPY --chown=airflow:root pipeline /opt/corpus-pipeline/pipeline
# constraints from our lock; Airflow itself is already in the image at the same version; s3fs for s3:// params
RUN pip install --no-cache-dir -c /opt/corpus-pipeline/requirements.lock -e "/opt/corpus-pipeline[airflow,s3]"
