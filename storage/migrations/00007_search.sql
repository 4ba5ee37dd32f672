-- +goose Up

-- /search on PostgreSQL's full-text search, matching whole syllables.
--
-- Folding (diacritics, case, đ → d, the y/i spellings) is done in Go by
-- storage.SearchTerms, when an article is stored and when a query is read,
-- so both sides fold by one function; unaccent is not relied on (a contrib
-- extension a managed server may lack, and not IMMUTABLE). Go writes each
-- article's tsvector itself (syllables and positions, a gap at punctuation
-- so that no phrase spans two sentences) and hands queries over as folded
-- syllables separated by spaces: this configuration only splits those and
-- keeps every token as it is (the simple dictionary, no stop words: common
-- syllables are left out of a query in Go, and only where other words
-- remain).
CREATE TEXT SEARCH CONFIGURATION loa_search (PARSER = pg_catalog.default);
ALTER TEXT SEARCH CONFIGURATION loa_search
    ADD MAPPING FOR asciiword, word, numword, uint, int, float, sfloat, hword_asciipart, hword_part, hword_numpart
    WITH simple;

-- The article's syllables with their positions, the title's weighted A:
-- written with the row by InsertArticles and SetArticleText (searchVector).
ALTER TABLE articles ADD COLUMN search_vector tsvector NOT NULL DEFAULT '';

-- Keep the rows narrow: text, summary and vectors go to the TOAST table,
-- so that counting the matches of a common word and picking the newest of
-- them (SearchArticles) reads few pages; only the ranked candidates' vectors
-- are read in full. Applies to rows written from now on, so before the
-- backfill below.
ALTER TABLE articles SET (toast_tuple_target = 256);

-- Rows stored before this migration: their search_folded is already folded
-- (diacritics, case, đ) by the same FoldName; the y/i rule of SearchTerms
-- is applied here to it. They lack only the title's weight (a title match
-- ranks a little higher among equals) and the gaps at punctuation, until
-- their text is saved again.
-- Punctuation becomes a space first, as SearchTerms cuts there ("2021-2025"
-- is "2021" "2025", not the parser's "-2025").
UPDATE articles SET search_vector = to_tsvector('loa_search',
    regexp_replace(regexp_replace(search_folded, '[^[:alnum:]]+', ' ', 'g'), '\m(h|k|l|m|qu|s|t|v)y\M', '\1i', 'g'));

CREATE INDEX articles_search_vector_idx ON articles USING gin (search_vector);
-- The trigram index served the substring search this replaces.
DROP INDEX articles_search_idx;

-- +goose Down
ALTER TABLE articles RESET (toast_tuple_target);
CREATE INDEX articles_search_idx ON articles USING gin (search_folded gin_trgm_ops);
DROP INDEX articles_search_vector_idx;
ALTER TABLE articles DROP COLUMN search_vector;
DROP TEXT SEARCH CONFIGURATION loa_search;
