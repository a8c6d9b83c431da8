"""The responses app's demo: fictional organisations, their synthetic answers, demo steps.

- ``invitations``: demo step, three fictional organisations invited, one focal-point login;
- ``data``: demo step, the synthetic responses of 36 fictional organisations loaded;
- ``synthetic``: the seeded, calibrated generator of those answers (pure Python);
- ``organisations`` and ``vocabulary``: what the generator draws from (pure Python).
"""
