"""The deterministic sample launch, in parts: ``story`` (the moments, the drops, the dimensions),
``model_*`` (the builders of each table's rows, composed into ``model._Launch`` and run in story
order by ``model.build_launch``), ``columns`` and ``writer`` (Arrow columns and file writing) and
``files`` (the contract-shaped files of each table). ``launchboard.generate`` puts them together."""
