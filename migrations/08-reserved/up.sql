-- Placeholder on the subject-access branch only: migrations must be numbered without gaps, and
-- 06, 07 and 08 belong to work on other branches. The lead deletes this folder when merging the
-- real 08.
SELECT 1;
