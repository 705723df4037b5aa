"""Scenario files: `model` (YAML → validated model), `runner` (runs one on a virtual clock),
`report` (JSON and HTML reports), `cli` (`layers-emulator scenario run FILE`)."""
