/*M!999999\- enable the sandbox mode */ 
-- Corpus: a whole mariadb-dump of a small schema, as the dump tool writes it.
-- Exercises: the sandbox-mode first line, the /*!40101 SET @OLD_...=@@... */
-- header and footer, SET NAMES, TIME_ZONE='+00:00' for the dump's duration,
-- NO_AUTO_VALUE_ON_ZERO (a row with id 0 must keep id 0), FOREIGN_KEY_CHECKS=0
-- (child rows are loaded before their parents), LOCK TABLES and
-- /*!40000 ALTER TABLE ... DISABLE KEYS */ around multi-row INSERTs, table
-- options (AUTO_INCREMENT=, DEFAULT CHARSET, COLLATE, COMMENT) and an
-- ON DELETE CASCADE foreign key.
--
-- MariaDB dump 10.19  Distrib 10.11.19-MariaDB, for debian-linux-gnu (x86_64)
--
-- Host: 127.0.0.1    Database: market
-- ------------------------------------------------------
-- Server version	10.11.19-MariaDB-0+deb12u1

/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!40101 SET @OLD_CHARACTER_SET_RESULTS=@@CHARACTER_SET_RESULTS */;
/*!40101 SET @OLD_COLLATION_CONNECTION=@@COLLATION_CONNECTION */;
/*!40101 SET NAMES utf8mb4 */;
/*!40103 SET @OLD_TIME_ZONE=@@TIME_ZONE */;
/*!40103 SET TIME_ZONE='+00:00' */;
/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */;
/*!40014 SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */;
/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */;
/*!40111 SET @OLD_SQL_NOTES=@@SQL_NOTES, SQL_NOTES=0 */;

--
-- Table structure for table `candle`
--

DROP TABLE IF EXISTS `candle`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `candle` (
  `listing_id` bigint(20) unsigned NOT NULL,
  `open_time` timestamp NOT NULL DEFAULT '2000-01-01 00:00:00',
  `open` decimal(24,10) NOT NULL,
  `high` decimal(24,10) NOT NULL,
  `low` decimal(24,10) NOT NULL,
  `close` decimal(24,10) NOT NULL,
  `volume` double NOT NULL DEFAULT 0,
  PRIMARY KEY (`listing_id`,`open_time`),
  CONSTRAINT `fk_candle_listing` FOREIGN KEY (`listing_id`) REFERENCES `listing` (`listing_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

--
-- Dumping data for table `candle`
--

LOCK TABLES `candle` WRITE;
/*!40000 ALTER TABLE `candle` DISABLE KEYS */;
INSERT INTO `candle` VALUES
(1,'2024-01-01 00:00:00',42283.5800000000,42554.5700000000,42261.0200000000,42475.2300000000,1271.68108),
(1,'2024-01-01 01:00:00',42475.2300000000,42775.0000000000,42431.6500000000,42613.5600000000,1196.37856),
(5,'2024-01-01 00:00:00',1.0000000000,1.0000000000,1.0000000000,1.0000000000,0);
/*!40000 ALTER TABLE `candle` ENABLE KEYS */;
UNLOCK TABLES;
--
-- Table structure for table `exchange`
--

DROP TABLE IF EXISTS `exchange`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `exchange` (
  `exchange_id` int(10) unsigned NOT NULL AUTO_INCREMENT,
  `code` varchar(16) NOT NULL,
  `name` varchar(128) NOT NULL DEFAULT '',
  `country` char(2) DEFAULT NULL COMMENT 'ISO 3166-1 alpha-2; NULL when global',
  `opened_on` date DEFAULT NULL,
  PRIMARY KEY (`exchange_id`),
  UNIQUE KEY `uq_exchange_code` (`code`)
) ENGINE=InnoDB AUTO_INCREMENT=4 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='Venues we collect from';
/*!40101 SET character_set_client = @saved_cs_client */;

--
-- Dumping data for table `exchange`
--

LOCK TABLES `exchange` WRITE;
/*!40000 ALTER TABLE `exchange` DISABLE KEYS */;
INSERT INTO `exchange` VALUES
(0,'OTC','Over the counter',NULL,NULL),
(1,'BINANCE','Binance',NULL,'2017-07-14'),
(2,'KRAKEN','Kraken','US','2013-09-10'),
(3,'BITSTAMP','Bitstamp','LU','2011-08-01');
/*!40000 ALTER TABLE `exchange` ENABLE KEYS */;
UNLOCK TABLES;

--
-- Table structure for table `listing`
--

DROP TABLE IF EXISTS `listing`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `listing` (
  `listing_id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `exchange_id` int(10) unsigned NOT NULL,
  `symbol` varchar(32) NOT NULL,
  `tick_size` decimal(20,10) NOT NULL DEFAULT 0.0100000000,
  `listed_at` datetime NOT NULL DEFAULT '2000-01-01 00:00:00',
  `note` text DEFAULT NULL,
  PRIMARY KEY (`listing_id`),
  UNIQUE KEY `uq_listing` (`exchange_id`,`symbol`),
  KEY `idx_listing_symbol` (`symbol`(8)),
  CONSTRAINT `fk_listing_exchange` FOREIGN KEY (`exchange_id`) REFERENCES `exchange` (`exchange_id`) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE=InnoDB AUTO_INCREMENT=6 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci ROW_FORMAT=DYNAMIC;
/*!40101 SET character_set_client = @saved_cs_client */;

--
-- Dumping data for table `listing`
--

LOCK TABLES `listing` WRITE;
/*!40000 ALTER TABLE `listing` DISABLE KEYS */;
INSERT INTO `listing` VALUES
(1,1,'BTCUSDT',0.0100000000,'2017-07-14 00:00:00',NULL),
(2,1,'ETHUSDT',0.0100000000,'2017-08-17 00:00:00','it\'s the second; listing'),
(3,2,'XBT/USD',0.1000000000,'2013-09-10 12:00:00','multi\nline'),
(4,3,'BTC/EUR',1.0000000000,'2011-08-01 00:00:00',NULL),
(5,0,'BTC-OTC',0.0000010000,'2000-01-01 00:00:00','id 0 parent');
/*!40000 ALTER TABLE `listing` ENABLE KEYS */;
UNLOCK TABLES;

/*!40103 SET TIME_ZONE=@OLD_TIME_ZONE */;

/*!40101 SET SQL_MODE=@OLD_SQL_MODE */;
/*!40014 SET FOREIGN_KEY_CHECKS=@OLD_FOREIGN_KEY_CHECKS */;
/*!40014 SET UNIQUE_CHECKS=@OLD_UNIQUE_CHECKS */;
/*!40101 SET CHARACTER_SET_CLIENT=@OLD_CHARACTER_SET_CLIENT */;
/*!40101 SET CHARACTER_SET_RESULTS=@OLD_CHARACTER_SET_RESULTS */;
/*!40101 SET COLLATION_CONNECTION=@OLD_COLLATION_CONNECTION */;
/*!40111 SET SQL_NOTES=@OLD_SQL_NOTES */;

-- Dump completed on 2024-01-02  3:04:05
