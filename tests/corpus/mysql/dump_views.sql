-- Corpus: views in a mariadb-dump.
-- Exercises: the temporary stand-in table a dump creates first for every
-- view (DROP TABLE IF EXISTS v; /*!50001 CREATE VIEW v AS SELECT 1 AS ... */)
-- and the final view structure spread over three executable comments,
-- /*!50001 CREATE ALGORITHM=... */ /*!50013 DEFINER=... SQL SECURITY ... */
-- /*!50001 VIEW ... */, with the character set and collation each view is
-- saved with; a view on a view, WITH CASCADED CHECK OPTION, SQL SECURITY
-- INVOKER, ALGORITHM=MERGE and TEMPTABLE.

/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!40101 SET @OLD_CHARACTER_SET_RESULTS=@@CHARACTER_SET_RESULTS */;
/*!40101 SET @OLD_COLLATION_CONNECTION=@@COLLATION_CONNECTION */;
/*!40101 SET NAMES utf8mb4 */;
/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */;

--
-- Table structure for table `asset`
--

DROP TABLE IF EXISTS `asset`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `asset` (
  `asset_id` int(11) NOT NULL AUTO_INCREMENT,
  `symbol` varchar(16) NOT NULL,
  `name` varchar(64) NOT NULL,
  `market_cap` decimal(30,2) DEFAULT NULL,
  `active` tinyint(1) NOT NULL DEFAULT 1,
  PRIMARY KEY (`asset_id`)
) ENGINE=InnoDB AUTO_INCREMENT=5 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `asset` WRITE;
/*!40000 ALTER TABLE `asset` DISABLE KEYS */;
INSERT INTO `asset` VALUES
(1,'BTC','Bitcoin',1300000000000.00,1),
(2,'ETH','Ethereum',400000000000.00,1),
(3,'DOGE','Dogecoin',NULL,1),
(4,'LUNA','Terra',0.00,0);
/*!40000 ALTER TABLE `asset` ENABLE KEYS */;
UNLOCK TABLES;

--
-- Temporary table structure for view `active_asset`
--

DROP TABLE IF EXISTS `active_asset`;
/*!50001 DROP VIEW IF EXISTS `active_asset`*/;
SET @saved_cs_client     = @@character_set_client;
SET character_set_client = utf8mb4;
/*!50001 CREATE VIEW `active_asset` AS SELECT
 1 AS `asset_id`,
  1 AS `symbol`,
  1 AS `name`,
  1 AS `market_cap` */;
SET character_set_client = @saved_cs_client;

--
-- Temporary table structure for view `large_asset`
--

DROP TABLE IF EXISTS `large_asset`;
/*!50001 DROP VIEW IF EXISTS `large_asset`*/;
SET @saved_cs_client     = @@character_set_client;
SET character_set_client = utf8mb4;
/*!50001 CREATE VIEW `large_asset` AS SELECT
 1 AS `symbol`,
  1 AS `cap_billions` */;
SET character_set_client = @saved_cs_client;

--
-- Temporary table structure for view `asset_summary`
--

DROP TABLE IF EXISTS `asset_summary`;
/*!50001 DROP VIEW IF EXISTS `asset_summary`*/;
SET @saved_cs_client     = @@character_set_client;
SET character_set_client = utf8mb4;
/*!50001 CREATE VIEW `asset_summary` AS SELECT
 1 AS `active`,
  1 AS `n`,
  1 AS `label` */;
SET character_set_client = @saved_cs_client;

--
-- Final view structure for view `active_asset`
--

/*!50001 DROP VIEW IF EXISTS `active_asset`*/;
/*!50001 SET @saved_cs_client          = @@character_set_client */;
/*!50001 SET @saved_cs_results         = @@character_set_results */;
/*!50001 SET @saved_col_connection     = @@collation_connection */;
/*!50001 SET character_set_client      = utf8mb4 */;
/*!50001 SET character_set_results     = utf8mb4 */;
/*!50001 SET collation_connection      = utf8mb4_general_ci */;
/*!50001 CREATE ALGORITHM=MERGE */
/*!50013 DEFINER=`root`@`localhost` SQL SECURITY DEFINER */
/*!50001 VIEW `active_asset` AS select `asset`.`asset_id` AS `asset_id`,`asset`.`symbol` AS `symbol`,`asset`.`name` AS `name`,`asset`.`market_cap` AS `market_cap` from `asset` where `asset`.`active` = 1 */
/*!50002 WITH CASCADED CHECK OPTION */;
/*!50001 SET character_set_client      = @saved_cs_client */;
/*!50001 SET character_set_results     = @saved_cs_results */;
/*!50001 SET collation_connection      = @saved_col_connection */;

--
-- Final view structure for view `large_asset`
--

/*!50001 DROP VIEW IF EXISTS `large_asset`*/;
/*!50001 SET @saved_cs_client          = @@character_set_client */;
/*!50001 SET @saved_cs_results         = @@character_set_results */;
/*!50001 SET @saved_col_connection     = @@collation_connection */;
/*!50001 SET character_set_client      = utf8mb4 */;
/*!50001 SET character_set_results     = utf8mb4 */;
/*!50001 SET collation_connection      = utf8mb4_unicode_ci */;
/*!50001 CREATE ALGORITHM=UNDEFINED */
/*!50013 DEFINER=`root`@`localhost` SQL SECURITY INVOKER */
/*!50001 VIEW `large_asset` AS select `active_asset`.`symbol` AS `symbol`,round(`active_asset`.`market_cap` / 1000000000,1) AS `cap_billions` from `active_asset` where `active_asset`.`market_cap` > 100000000000 */;
/*!50001 SET character_set_client      = @saved_cs_client */;
/*!50001 SET character_set_results     = @saved_cs_results */;
/*!50001 SET collation_connection      = @saved_col_connection */;

--
-- Final view structure for view `asset_summary`
--

/*!50001 DROP VIEW IF EXISTS `asset_summary`*/;
/*!50001 SET @saved_cs_client          = @@character_set_client */;
/*!50001 SET @saved_cs_results         = @@character_set_results */;
/*!50001 SET @saved_col_connection     = @@collation_connection */;
/*!50001 SET character_set_client      = utf8mb4 */;
/*!50001 SET character_set_results     = utf8mb4 */;
/*!50001 SET collation_connection      = utf8mb4_general_ci */;
/*!50001 CREATE ALGORITHM=TEMPTABLE */
/*!50013 DEFINER=`root`@`localhost` SQL SECURITY DEFINER */
/*!50001 VIEW `asset_summary` AS select `asset`.`active` AS `active`,count(0) AS `n`,group_concat(`asset`.`symbol` order by `asset`.`symbol` ASC separator '; ') AS `label` from `asset` group by `asset`.`active` */;
/*!50001 SET character_set_client      = @saved_cs_client */;
/*!50001 SET character_set_results     = @saved_cs_results */;
/*!50001 SET collation_connection      = @saved_col_connection */;

/*!40101 SET SQL_MODE=@OLD_SQL_MODE */;
/*!40101 SET CHARACTER_SET_CLIENT=@OLD_CHARACTER_SET_CLIENT */;
/*!40101 SET CHARACTER_SET_RESULTS=@OLD_CHARACTER_SET_RESULTS */;
/*!40101 SET COLLATION_CONNECTION=@OLD_COLLATION_CONNECTION */;

-- Dump completed on 2024-03-01 10:00:00
