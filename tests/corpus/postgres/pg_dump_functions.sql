--
-- Corpus: functions, an aggregate, triggers and views in a pg_dump.
-- Exercises: the pg_dump header with search_path set to '' and
-- check_function_bodies = false, so a LANGUAGE sql function may name a
-- table that is only created further down; plpgsql trigger functions,
-- an aggregate over a support function (CREATE AGGREGATE ... SFUNC), a
-- function with SET search_path, schema-qualified operators in view
-- definitions (OPERATOR(pg_catalog.||)), triggers created after the data,
-- and a seed UPDATE appended after the dump so that a trigger runs.
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
-- Name: _group_concat(text, text); Type: FUNCTION; Schema: public; Owner: postgres
--

CREATE FUNCTION public._group_concat(text, text) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $_$
SELECT CASE
  WHEN $2 IS NULL THEN $1
  WHEN $1 IS NULL THEN $2
  ELSE $1 || ', ' || $2
END
$_$;


ALTER FUNCTION public._group_concat(text, text) OWNER TO postgres;

--
-- Name: actor_count(integer); Type: FUNCTION; Schema: public; Owner: postgres
--

CREATE FUNCTION public.actor_count(p_min_version integer) RETURNS bigint
    LANGUAGE sql STABLE
    AS $$
    SELECT count(*) FROM public.actor WHERE version >= p_min_version;
$$;


ALTER FUNCTION public.actor_count(p_min_version integer) OWNER TO postgres;

--
-- Name: bump_version(); Type: FUNCTION; Schema: public; Owner: postgres
--

CREATE FUNCTION public.bump_version() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NEW.version := OLD.version + 1;
    RETURN NEW;
END $$;


ALTER FUNCTION public.bump_version() OWNER TO postgres;

--
-- Name: full_name(text, text); Type: FUNCTION; Schema: public; Owner: postgres
--

CREATE FUNCTION public.full_name(first text, last text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO 'pg_catalog'
    AS $$
BEGIN
    RETURN initcap(first) || ' ' || initcap(last);
END;
$$;


ALTER FUNCTION public.full_name(first text, last text) OWNER TO postgres;

--
-- Name: group_concat(text); Type: AGGREGATE; Schema: public; Owner: postgres
--

CREATE AGGREGATE public.group_concat(text) (
    SFUNC = public._group_concat,
    STYPE = text
);


ALTER AGGREGATE public.group_concat(text) OWNER TO postgres;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: actor; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.actor (
    actor_id integer NOT NULL,
    first_name text NOT NULL,
    last_name text NOT NULL,
    version integer DEFAULT 1 NOT NULL
);


ALTER TABLE public.actor OWNER TO postgres;

--
-- Name: actor_info; Type: VIEW; Schema: public; Owner: postgres
--

CREATE VIEW public.actor_info AS
 SELECT a.actor_id,
    public.full_name(a.first_name, a.last_name) AS name,
    (('#'::text OPERATOR(pg_catalog.||) (a.actor_id)::text) OPERATOR(pg_catalog.||) ':'::text) AS tag,
    a.version
   FROM public.actor a;


ALTER TABLE public.actor_info OWNER TO postgres;

--
-- Name: actor_names; Type: VIEW; Schema: public; Owner: postgres
--

CREATE VIEW public.actor_names AS
 SELECT public.group_concat(actor.first_name ORDER BY actor.first_name) AS first_names,
    public.actor_count(1) AS total
   FROM public.actor;


ALTER TABLE public.actor_names OWNER TO postgres;

--
-- Data for Name: actor; Type: TABLE DATA; Schema: public; Owner: postgres
--

INSERT INTO public.actor VALUES (1, 'PENELOPE', 'GUINESS', 1);
INSERT INTO public.actor VALUES (2, 'NICK', 'WAHLBERG', 1);
INSERT INTO public.actor VALUES (3, 'ED', 'CHASE', 4);


--
-- Name: actor actor_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.actor
    ADD CONSTRAINT actor_pkey PRIMARY KEY (actor_id);


--
-- Name: idx_actor_last_name; Type: INDEX; Schema: public; Owner: postgres
--

CREATE INDEX idx_actor_last_name ON public.actor USING btree (last_name);


--
-- Name: actor bump_version; Type: TRIGGER; Schema: public; Owner: postgres
--

CREATE TRIGGER bump_version BEFORE UPDATE ON public.actor FOR EACH ROW WHEN ((old.* IS DISTINCT FROM new.*)) EXECUTE FUNCTION public.bump_version();


--
-- PostgreSQL database dump complete
--

-- Appended after the dump, so that the trigger runs.
UPDATE public.actor SET last_name = 'WAHLBERG-SMITH' WHERE actor_id = 2;
UPDATE public.actor SET last_name = last_name WHERE actor_id = 3;
