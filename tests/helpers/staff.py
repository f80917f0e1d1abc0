"""The staff of the test gemeenten as the `api` fixture registers them, by role."""

REGISSEUR, TEAM, TEAM2, BACKUP, OTHER_GEMEENTE = 7001, 7003, 7004, 7009, 7101
GROUP = -1007002
