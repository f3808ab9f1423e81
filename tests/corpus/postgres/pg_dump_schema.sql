--
-- Corpus: a pg_dump (plain format, --inserts) of a small schema, as
-- pg_dump writes it.
-- Exercises: the dump header (SET statement_timeout = 0, client_encoding,
-- SELECT pg_catalog.set_config('search_path', '', false),
-- check_function_bodies = false, ...), so every name after it is
-- schema-qualified (public.film); a second schema; an enum type and a
-- domain with a CHECK; sequences created apart from their tables with
-- OWNED BY and SET DEFAULT nextval(...); an identity column added by ALTER
-- TABLE; constraints, indexes and foreign keys added with ALTER TABLE
-- ONLY; COMMENT ON; OWNER TO; INSERT rows and setval() calls.
--
-- PostgreSQL database dump
--

-- Dumped from database version 15.13 (Debian 15.13-0+deb12u1)
-- Dumped by pg_dump version 15.13 (Debian 15.13-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: reporting; Type: SCHEMA; Schema: -; Owner: postgres
--

CREATE SCHEMA reporting;


ALTER SCHEMA reporting OWNER TO postgres;

--
-- Name: mpaa_rating; Type: TYPE; Schema: public; Owner: postgres
--

CREATE TYPE public.mpaa_rating AS ENUM (
    'G',
    'PG',
    'PG-13',
    'R',
    'NC-17'
);


ALTER TYPE public.mpaa_rating OWNER TO postgres;

--
-- Name: year; Type: DOMAIN; Schema: public; Owner: postgres
--

CREATE DOMAIN public.year AS integer
	CONSTRAINT year_check CHECK (((VALUE >= 1901) AND (VALUE <= 2155)));


ALTER DOMAIN public.year OWNER TO postgres;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: language; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.language (
    language_id integer NOT NULL,
    name character(20) NOT NULL,
    last_update timestamp with time zone DEFAULT now() NOT NULL
);


ALTER TABLE public.language OWNER TO postgres;

--
-- Name: language_language_id_seq; Type: SEQUENCE; Schema: public; Owner: postgres
--

CREATE SEQUENCE public.language_language_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER TABLE public.language_language_id_seq OWNER TO postgres;

--
-- Name: language_language_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: postgres
--

ALTER SEQUENCE public.language_language_id_seq OWNED BY public.language.language_id;

--
-- Name: film; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.film (
    film_id integer NOT NULL,
    title text NOT NULL,
    description text,
    release_year public.year,
    language_id integer NOT NULL,
    rental_rate numeric(4,2) DEFAULT 4.99 NOT NULL,
    rating public.mpaa_rating DEFAULT 'G'::public.mpaa_rating,
    special_features text[],
    fulltext tsvector NOT NULL
);


ALTER TABLE public.film OWNER TO postgres;

--
-- Name: TABLE film; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON TABLE public.film IS 'One row per title; the ''fulltext'' column is kept by a trigger';


--
-- Name: COLUMN film.rental_rate; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON COLUMN public.film.rental_rate IS 'USD; per 3 days';


--
-- Name: film_film_id_seq; Type: SEQUENCE; Schema: public; Owner: postgres
--

CREATE SEQUENCE public.film_film_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER TABLE public.film_film_id_seq OWNER TO postgres;

--
-- Name: film_film_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: postgres
--

ALTER SEQUENCE public.film_film_id_seq OWNED BY public.film.film_id;

--
-- Name: rental_summary; Type: TABLE; Schema: reporting; Owner: postgres
--

CREATE TABLE reporting.rental_summary (
    summary_id bigint NOT NULL,
    film_id integer NOT NULL,
    rentals integer DEFAULT 0 NOT NULL
);


ALTER TABLE reporting.rental_summary OWNER TO postgres;

--
-- Name: rental_summary summary_id; Type: DEFAULT; Schema: reporting; Owner: postgres
--

ALTER TABLE reporting.rental_summary ALTER COLUMN summary_id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME reporting.rental_summary_summary_id_seq
    START WITH 100
    INCREMENT BY 10
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: film film_id; Type: DEFAULT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.film ALTER COLUMN film_id SET DEFAULT nextval('public.film_film_id_seq'::regclass);


--
-- Name: language language_id; Type: DEFAULT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.language ALTER COLUMN language_id SET DEFAULT nextval('public.language_language_id_seq'::regclass);


--
-- Data for Name: language; Type: TABLE DATA; Schema: public; Owner: postgres
--

INSERT INTO public.language VALUES (1, 'English', '2022-02-15 10:02:19+00');
INSERT INTO public.language VALUES (2, 'Italian', '2022-02-15 10:02:19+00');
INSERT INTO public.language VALUES (3, 'Japanese', '2022-02-15 10:02:19+00');


--
-- Data for Name: film; Type: TABLE DATA; Schema: public; Owner: postgres
--

INSERT INTO public.film VALUES (1, 'ACADEMY DINOSAUR', 'A Epic Drama of a Feminist And a Mad Scientist who must Battle a Teacher in The Canadian Rockies', 2012, 1, 0.99, 'PG', '{"Deleted Scenes","Behind the Scenes"}', '''academi'':1 ''battl'':15 ''canadian'':20 ''dinosaur'':2 ''drama'':5 ''epic'':4 ''feminist'':8 ''mad'':11 ''must'':14 ''rocki'':21 ''scientist'':12 ''teacher'':17');
INSERT INTO public.film VALUES (2, 'ACE GOLDFINGER', 'A Astounding Epistle of a Database Administrator And a Explorer who must Find a Car in Ancient China', 2012, 2, 4.99, 'G', '{Trailers,"Deleted Scenes"}', '''ace'':1 ''administr'':9 ''ancient'':19 ''astound'':4 ''car'':17 ''china'':20 ''databas'':8 ''epistl'':5 ''explor'':12 ''find'':15 ''goldfing'':2 ''must'':14');
INSERT INTO public.film VALUES (3, 'ADAPTATION HOLES', NULL, NULL, 3, 2.99, 'NC-17', NULL, '''adapt'':1 ''hole'':2');


--
-- Data for Name: rental_summary; Type: TABLE DATA; Schema: reporting; Owner: postgres
--

INSERT INTO reporting.rental_summary OVERRIDING SYSTEM VALUE VALUES (100, 1, 23);
INSERT INTO reporting.rental_summary OVERRIDING SYSTEM VALUE VALUES (110, 2, 7);


--
-- Name: film_film_id_seq; Type: SEQUENCE SET; Schema: public; Owner: postgres
--

SELECT pg_catalog.setval('public.film_film_id_seq', 3, true);


--
-- Name: language_language_id_seq; Type: SEQUENCE SET; Schema: public; Owner: postgres
--

SELECT pg_catalog.setval('public.language_language_id_seq', 3, true);


--
-- Name: rental_summary_summary_id_seq; Type: SEQUENCE SET; Schema: reporting; Owner: postgres
--

SELECT pg_catalog.setval('reporting.rental_summary_summary_id_seq', 110, true);


--
-- Name: film film_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.film
    ADD CONSTRAINT film_pkey PRIMARY KEY (film_id);


--
-- Name: language language_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.language
    ADD CONSTRAINT language_pkey PRIMARY KEY (language_id);


--
-- Name: rental_summary rental_summary_pkey; Type: CONSTRAINT; Schema: reporting; Owner: postgres
--

ALTER TABLE ONLY reporting.rental_summary
    ADD CONSTRAINT rental_summary_pkey PRIMARY KEY (summary_id);


--
-- Name: film_fulltext_idx; Type: INDEX; Schema: public; Owner: postgres
--

CREATE INDEX film_fulltext_idx ON public.film USING gist (fulltext);


--
-- Name: idx_title; Type: INDEX; Schema: public; Owner: postgres
--

CREATE INDEX idx_title ON public.film USING btree (title);


--
-- Name: idx_fk_language_id; Type: INDEX; Schema: public; Owner: postgres
--

CREATE INDEX idx_fk_language_id ON public.film USING btree (language_id);


--
-- Name: film film_language_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.film
    ADD CONSTRAINT film_language_id_fkey FOREIGN KEY (language_id) REFERENCES public.language(language_id) ON UPDATE CASCADE ON DELETE RESTRICT;


--
-- Name: rental_summary rental_summary_film_id_fkey; Type: FK CONSTRAINT; Schema: reporting; Owner: postgres
--

ALTER TABLE ONLY reporting.rental_summary
    ADD CONSTRAINT rental_summary_film_id_fkey FOREIGN KEY (film_id) REFERENCES public.film(film_id);


--
-- PostgreSQL database dump complete
--

