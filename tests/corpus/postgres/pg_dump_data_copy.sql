--
-- PostgreSQL database dump
--

\restrict k3JxQ7vLr2bNw9TzP8dYc5HfGa1mUe6sQo4iKt0VnRj

-- Corpus: a current pg_dump in its default plain format, with its data.
-- Exercises: the psql meta-commands current pg_dump versions write around
-- a dump (\restrict KEY ... \unrestrict KEY), the dump header, and table
-- data as COPY ... FROM stdin followed by tab-separated lines (\N for
-- NULL, backslash escapes, arrays, time stamps with offsets) ended by \.;
-- the rows must land in the table, and the sequence is set after them.
--
-- Dumped from database version 15.20 (Debian 15.20-0+deb12u1)
-- Dumped by pg_dump version 15.20 (Debian 15.20-0+deb12u1)

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

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: price_tick; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.price_tick (
    tick_id bigint NOT NULL,
    symbol text NOT NULL,
    price numeric(24,10) NOT NULL,
    at timestamp with time zone NOT NULL,
    tags text[],
    note text
);


ALTER TABLE public.price_tick OWNER TO postgres;

--
-- Name: price_tick_tick_id_seq; Type: SEQUENCE; Schema: public; Owner: postgres
--

CREATE SEQUENCE public.price_tick_tick_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER TABLE public.price_tick_tick_id_seq OWNER TO postgres;

--
-- Name: price_tick_tick_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: postgres
--

ALTER SEQUENCE public.price_tick_tick_id_seq OWNED BY public.price_tick.tick_id;


--
-- Name: price_tick tick_id; Type: DEFAULT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.price_tick ALTER COLUMN tick_id SET DEFAULT nextval('public.price_tick_tick_id_seq'::regclass);


--
-- Data for Name: price_tick; Type: TABLE DATA; Schema: public; Owner: postgres
--

COPY public.price_tick (tick_id, symbol, price, at, tags, note) FROM stdin;
1	BTC-USD	42283.5800000000	2024-01-01 00:00:00+00	{spot,kraken}	\N
2	BTC-USD	42290.0000000000	2024-01-01 00:00:01+00	{spot}	first trade; after the open
3	ETH-USD	2281.1200000000	2024-01-01 00:00:01.5+00	\N	tab\there and back\\slash
4	SOL-USD	101.5000000000	2024-06-01 10:00:00+00	{}	it's "quoted"
\.


--
-- Name: price_tick_tick_id_seq; Type: SEQUENCE SET; Schema: public; Owner: postgres
--

SELECT pg_catalog.setval('public.price_tick_tick_id_seq', 4, true);


--
-- Name: price_tick price_tick_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.price_tick
    ADD CONSTRAINT price_tick_pkey PRIMARY KEY (tick_id);


--
-- PostgreSQL database dump complete
--

\unrestrict k3JxQ7vLr2bNw9TzP8dYc5HfGa1mUe6sQo4iKt0VnRj

