-- Placeholder on the w/rights branch only, so that migration 08 has the consecutive number
-- rusqlite_migration requires while 07 is being written on another branch. The lead drops
-- this folder when merging (the real 07 takes its place).
SELECT 1;
