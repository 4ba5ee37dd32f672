-- +goose Up

-- /search on PostgreSQL's full-text search, matching whole syllables.
--
-- Folding (diacritics, case, đ → d, the y/i spellings) is done in Go by
-- storage.SearchTerms, when an article is stored and when a query is read,
-- so both sides fold by one function; unaccent is not relied on (a contrib
-- extension a managed server may lack, and not IMMUTABLE). The text handed
-- to the database is already folded syllables separated by spaces: the
-- configuration only splits it and keeps every token as it is (the simple
-- dictionary, no stop words: common syllables are left out of the query in
-- Go, and only where other words remain).
CREATE TEXT SEARCH CONFIGURATION loa_search (PARSER = pg_catalog.default);
ALTER TEXT SEARCH CONFIGURATION loa_search
    ADD MAPPING FOR asciiword, word, numword, uint, int, hword_asciipart, hword_part, hword_numpart
    WITH simple;

-- The article's syllables with their positions, the title's weighted A:
-- written with the row by InsertArticles and SetArticleText.
ALTER TABLE articles ADD COLUMN search_vector tsvector NOT NULL DEFAULT '';

-- Rows stored before this migration: their search_folded is already folded
-- (diacritics, case, đ) by the same FoldName; the y/i rule of SearchTerms
-- is applied here to it. They lack only the title's weight, which ranks a
-- title match a little higher among equals.
UPDATE articles SET search_vector = to_tsvector('loa_search',
    regexp_replace(search_folded, '\m(h|k|l|m|qu|s|t|v)y\M', '\1i', 'g'));

CREATE INDEX articles_search_vector_idx ON articles USING gin (search_vector);
-- The trigram index served the substring search this replaces.
DROP INDEX articles_search_idx;

-- +goose Down
CREATE INDEX articles_search_idx ON articles USING gin (search_folded gin_trgm_ops);
DROP INDEX articles_search_vector_idx;
ALTER TABLE articles DROP COLUMN search_vector;
DROP TEXT SEARCH CONFIGURATION loa_search;
